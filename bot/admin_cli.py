"""(being written) `flask` commands for admins: members, schools, invite codes, audit log."""
import click

COMMANDS: list[click.Command] = []
