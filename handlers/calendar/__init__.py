"""The office's holiday calendar in chat: the coming days off, and the admins' edits (`handlers.core.workdays`)."""
