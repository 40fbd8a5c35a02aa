"""How the Inbox shows a person: plain functions of a partner's values."""


def avatar_text(partner):
    """Initials of the person, or the last two digits of their number when
    the name is only a number."""
    name = (partner.name or "").strip()
    if not name or not any(char.isalpha() for char in name):
        digits = [char for char in (partner.phone_sanitized or name) if char.isdigit()]
        return "".join(digits[-2:])
    words = [word for word in name.split() if word[0].isalpha()]
    return "".join(word[0] for word in words[:2]).upper()
