"""The ``jailscale`` command: one thin module per verb, registered on :data:`main.app`."""
