"""The conversation core every capability stands on: plain types, flows, postbacks, the permission policy,
words (particles, command matching) and Thai dates."""
