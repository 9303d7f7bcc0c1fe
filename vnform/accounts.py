"""Officials: roles, agencies and what each may see. Pure: no web, no database."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("admin", "analyst")


@dataclass(frozen=True)
class Official:
    """A signed-in official, as the views see them."""

    id: int
    email: str
    role: str
    agencies: tuple[str, ...] = ()
    disabled: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can_see(self, agency: str) -> bool:
        """Least privilege: an analyst sees only forms of their own agencies."""
        return self.is_admin or agency in self.agencies


def normalise_email(email: str) -> str:
    """One account per address, however it is typed."""
    return email.strip().lower()


def valid_email(email: str) -> bool:
    local, at, domain = email.rpartition("@")
    return bool(at and local and "." in domain and " " not in email and len(email) <= 254)
