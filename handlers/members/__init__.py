"""Members and roles: registration, invite codes, member management, the work-group and school directory."""
