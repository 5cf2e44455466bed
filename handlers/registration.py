"""(being written)"""
COMMANDS: dict = {}
POSTBACKS: dict = {}
FLOWS: dict = {}
EVENTS: dict = {}
