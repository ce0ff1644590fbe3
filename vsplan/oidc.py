"""Optional single sign-on with OpenID Connect (mozilla-django-oidc).

Enabled when ``OIDC_RP_CLIENT_ID`` is set (see docs/deploy.md). The identity
provider says who someone is; vsplan decides what they may do. So a sign-on
only logs in an existing, active local user whose e-mail address matches the
provider's (verified) address; it never creates a user, and roles stay where
they are kept, in vsplan. Local accounts keep working beside it.
"""

import logging

import jwt
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

logger = logging.getLogger(__name__)


class EmailBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict) -> bool:
        """An address is needed, and one the provider says it has not verified is refused."""
        return bool(claims.get("email")) and claims.get("email_verified", True) is not False

    def filter_users_by_claims(self, claims: dict) -> QuerySet:
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def verify_token(self, token: str, **kwargs) -> dict | None:
        """The token's signature, expiry and nonce (checked by the library) and its audience
        (which the library leaves out: a token issued to another application is not for
        vsplan). A token that fails is logged and the sign-on fails like any other."""
        try:
            payload = super().verify_token(token, **kwargs)
        except (SuspiciousOperation, jwt.InvalidTokenError) as error:
            logger.warning("single sign-on refused: %s", error)
            return None
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            logger.warning("single sign-on refused: the ID token was issued to another client")
            return None
        return payload
