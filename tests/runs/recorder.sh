#!/bin/sh
# The entrypoint of the throwaway runner images the real-run tests build. It
# prints exactly what this container received, its command line and its
# environment (NUL-separated as the kernel holds them, in hex so that no byte
# is lost or masked on the way through the task log); with /etc/pipec-print-env
# present it prints its environment in clear text instead (the masking test);
# then it exits with the code in /etc/pipec-exit (0 when absent).
if [ -f /etc/pipec-print-env ]; then
  env | sed 's/^/PIPEC-ENV /'
else
  id=$(cat /proc/sys/kernel/random/uuid)
  for part in cmdline environ; do
    echo "PIPEC-RECORD $id $part $(od -An -v -tx1 /proc/$$/$part | tr -d ' \n')"
  done
fi
code=0
[ -f /etc/pipec-exit ] && code=$(cat /etc/pipec-exit)
exit "$code"
