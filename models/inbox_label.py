from random import randint

from odoo import fields, models


class InboxLabel(models.Model):
    """A label on a conversation (not a tag on the person)."""

    _name = "inbox.label"
    _description = "Inbox Conversation Label"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer(default=lambda self: randint(1, 11))
    active = fields.Boolean(default=True)

    _name_unique = models.Constraint("UNIQUE(name)", "A label with this name already exists.")
