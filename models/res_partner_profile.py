"""A person known by an id a provider gave (a Messenger PSID, an Instagram
IGSID) gets the name and picture the provider knows them by, once."""
import base64

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools.mimetypes import guess_mimetype

from .. import channels
from ..providers import ProfileFetch, ProviderError

# pictures taken as a person's avatar, by what their bytes are (never SVG:
# a picture is served as the person's avatar to every user)
PICTURE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
PICTURE_MAX_SIZE = 5 << 20


class ResPartner(models.Model):
    _inherit = "res.partner"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    @api.model
    def _inbox_apply_profile(self, provider, event: ProfileFetch):
        """Name the person ``event.address`` of ``provider`` as the provider
        knows them (and give them its picture), unless somebody named them
        already. A provider that gives no profile leaves a readable name, not
        an id: never asked again."""
        partner = self._inbox_find(channels.SCOPED, event.address, provider)
        if not partner or partner.name != event.address:
            return partner
        adapter = provider._inbox_adapter()
        try:
            profile = adapter.fetch_profile(event.channel, event.address)
        except ProviderError as error:
            if error.retryable:
                raise
            profile = {}
        values = {"name": profile.get("name") or self.env._(
            "%(channel)s user %(id)s", channel=channels.get(event.channel).label, id=event.address[-6:])}
        picture = self._inbox_profile_picture(adapter, profile.get("picture"))
        if picture:
            values["image_1920"] = picture
        try:
            with self.env.cr.savepoint():
                partner.write(values)
        except UserError:  # a picture Odoo cannot read
            partner.write({"name": values["name"]})
        return partner

    @api.model
    def _inbox_profile_picture(self, adapter, url):
        """The picture at ``url`` (base64), if the provider serves an image
        of a type an avatar may be; else None."""
        if not url:
            return None
        try:
            content, _claimed = adapter.download_media(url)
        except ProviderError:
            return None
        if len(content) > PICTURE_MAX_SIZE or guess_mimetype(content) not in PICTURE_TYPES:
            return None
        return base64.b64encode(content)
