"""The typed IR (``model``) and the passes that build it from syntax trees."""
