"""Failed sign-ins: stop guessing without handing anyone a way to lock staff out.

Three counts of failures, in the shared limit store:

- per address (any usernames): an address trying many accounts is refused;
- per username and address: that address is refused for that account;
- per username from anywhere, an alarm: past it, addresses that have not signed
  in to the account within LOGIN_KNOWN_NETWORK_DAYS are refused without their
  password being checked, while the owner, from a network they signed in from
  before, still signs in. The alarm is logged once per crossing, naming the
  account only (never an address or a password).

Networks signed in from are kept as keyed hashes (PII_PEPPER), never addresses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app

from minsheng_site.services import services
from minsheng_site.throttle import Counter, hashed, network

log = logging.getLogger(__name__)
DAY = 86400.0


@dataclass(frozen=True)
class Attempt:
    username: str
    network: str  # see throttle.network: an IPv4 address or an IPv6 /64

    @property
    def address_key(self) -> str:
        return hashed("addr", self.network)

    @property
    def pair_key(self) -> str:
        return hashed("user-addr", f"{self.username}\n{self.network}")

    @property
    def username_key(self) -> str:
        return hashed("user", self.username)

    @property
    def network_hash(self) -> str:
        """How the credentials store remembers this network for this account."""
        return services().ledger.vault.contact(f"sign-in:{self.username}\n{self.network}")


class SignInLimits:
    def __init__(self, config: dict[str, object]) -> None:
        self.per_address = Counter(str(config["LOGIN_LIMIT_PER_ADDRESS"]), "login-address")
        self.per_pair = Counter(str(config["LOGIN_LIMIT_PER_USERNAME_ADDRESS"]), "login-pair")
        self.per_username = Counter(str(config["LOGIN_LIMIT_PER_USERNAME"]), "login-username")
        # config values are objects to mypy; this one is a number (config.py reads it)
        self.known_for = float(config["LOGIN_KNOWN_NETWORK_DAYS"]) * DAY  # type: ignore[arg-type]

    def attempt(self, username: str, address: str | None) -> Attempt:
        return Attempt(username, network(address))

    def refused(self, attempt: Attempt) -> bool:
        """Whether this attempt is refused before its password is even checked."""
        if not self.per_address.allows(attempt.address_key):
            return True
        if not self.per_pair.allows(attempt.pair_key):
            return True
        return not self.per_username.allows(attempt.username_key) and not self._known(attempt)

    def failed(self, attempt: Attempt) -> None:
        self.per_address.count(attempt.address_key)
        self.per_pair.count(attempt.pair_key)
        was_open = self.per_username.allows(attempt.username_key)
        self.per_username.count(attempt.username_key)
        if was_open and not self.per_username.allows(attempt.username_key):
            log.warning(
                "sign-in alarm: account %s reached %s failed sign-ins; only networks it "
                "signed in from in the last %d days may try now",
                attempt.username,
                self.per_username.item,
                self.known_for // DAY,
            )

    def succeeded(self, attempt: Attempt) -> None:
        credentials = services().credentials
        credentials.remember_network(attempt.username, attempt.network_hash, _now())

    def _known(self, attempt: Attempt) -> bool:
        since = _now() - self.known_for
        return services().credentials.known_network(attempt.username, attempt.network_hash, since)


def _now() -> float:
    """The ledger's clock (tests move it), as POSIX seconds."""
    return services().ledger.clock().timestamp()


def sign_in_limits() -> SignInLimits:
    return current_app.extensions["minsheng_sign_in_limits"]
