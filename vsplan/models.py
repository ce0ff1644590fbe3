"""The site's own settings that the secretariat edits in the admin."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessibilityStatement(models.Model):
    """The site's accessibility statement (tillgänglighetsredogörelse), which Swedish public
    bodies must publish. One is kept; until it is written, the page shows a default."""

    text_sv = models.TextField(
        _("statement in Swedish"),
        blank=True,
        help_text=_(
            "Plain text: a blank line starts a new paragraph, and web addresses become links. "
            "Leave empty to show the default statement."
        ),
    )
    text_en = models.TextField(
        _("statement in English"),
        blank=True,
        help_text=_("Leave empty to show the Swedish text to English readers too."),
    )
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statement")

    def __str__(self) -> str:
        return str(_("Accessibility statement"))

    def text_for(self, language: str) -> tuple[str, str]:
        """(text, its language) for a reader of ``language``: the English text to English
        readers if there is one, else the Swedish."""
        if language == "en" and self.text_en.strip():
            return self.text_en, "en"
        return self.text_sv, "sv"
