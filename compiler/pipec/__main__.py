from pipec.cli import main

main()
