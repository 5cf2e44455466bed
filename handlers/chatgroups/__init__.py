"""LINE group chats: join/leave events, binding a group chat to a work group, what a group chat is for."""
