"""Test kit shipped with jailscale: a stub OpenAI-compatible server with fault injection."""
