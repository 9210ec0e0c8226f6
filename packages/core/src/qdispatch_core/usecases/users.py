"""Users and API keys. Only a hash of a key is stored; the key is shown once at creation."""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation

from qdispatch_core.domain import User
from qdispatch_core.errors import BadRequest, Conflict, NotFound, Unauthorized
from qdispatch_core.ids import new_api_key, new_id
from qdispatch_core.rules.text import check_text
from qdispatch_core.usecases.services import Services


def hash_api_key(key: str) -> str:
    # Keys are 256 random bits, so a plain SHA-256 cannot be brute-forced; no salt needed.
    return hashlib.sha256(key.encode()).hexdigest()


def _amount(value: object, what: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise BadRequest(f"{what}: expected an amount in USD, got {value!r}", field=what) from None
    if not amount.is_finite() or amount < 0:
        raise BadRequest(f"{what}: expected a non-negative amount in USD, got {value}", field=what)
    return amount


def create_user(services: Services, name: str, credits: object = 0) -> tuple[User, str]:
    """A new user with a starting balance; returns the user and their API key (shown once)."""
    name = check_text(name, "name", max_length=services.limits.name_max, required=True)
    amount = _amount(credits, "credits")
    now = services.clock()
    user = User(id=new_id("usr"), name=name, created_at=now)
    key = new_api_key()
    with services.repository.begin() as uow:
        if uow.users.by_name(name) is not None:
            raise Conflict(f"name: a user named {name!r} exists", field="name")
        uow.users.add(user)
        uow.users.add_api_key(user.id, hash_api_key(key), now)
        if amount > 0:
            uow.billing.credit(user.id, amount, "starting balance")
        uow.commit()
    return user, key


def ensure_user(services: Services, name: str, credits: object = 0) -> User:
    """The named user, created with `credits` on first use (the default local user)."""
    with services.repository.read() as uow:
        existing = uow.users.by_name(name)
    if existing is not None:
        return existing
    try:
        return create_user(services, name, credits)[0]
    except Conflict:  # another process created it first
        with services.repository.read() as uow:
            found = uow.users.by_name(name)
        assert found is not None
        return found


def list_users(services: Services) -> list[tuple[User, Decimal]]:
    with services.repository.read() as uow:
        return [(u, uow.billing.balance(u.id)) for u in uow.users.list()]


def credit_user(services: Services, name: str, amount: object) -> Decimal:
    """Add funds; returns the new balance."""
    value = _amount(amount, "amount")
    if value == 0:
        raise BadRequest("amount: expected an amount above 0", field="amount")
    with services.repository.begin() as uow:
        user = uow.users.by_name(name)
        if user is None:
            raise NotFound(f"user: no user named {name!r}", field="user")
        uow.billing.credit(user.id, value, "credit")
        balance = uow.billing.balance(user.id)
        uow.commit()
    return balance


def authenticate(services: Services, api_key: str | None) -> User:
    if not api_key:
        raise Unauthorized("missing API key: send 'Authorization: Bearer <key>'")
    with services.repository.read() as uow:
        user = uow.users.by_api_key_hash(hash_api_key(api_key))
    if user is None:
        raise Unauthorized("invalid API key")
    return user


def balance(services: Services, user: User) -> Decimal:
    with services.repository.read() as uow:
        return uow.billing.balance(user.id)
