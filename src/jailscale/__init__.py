"""jailscale: the Jailbreak Severity Scale (JSS) and the instruments that measure it."""

__version__ = "0.1.0"
