"""Safety first: the multilingual crisis safety net that works even when NLU is wrong."""
