"""Deadline reminders (issue 9): the policy per round kind, the sweep that queues reminders to group
chats, admins and opted-in staff, and the chat commands "เตือนฉัน", "ไม่ต้องเตือน", "ตั้งค่าการเตือน"."""
