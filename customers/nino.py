"""National Insurance numbers: normalise, validate (with a reason) and display."""

import re

# Neither prefix letter is D, F, I, Q, U or V; the second is never O.
_FIRST = "ABCEGHJKLMNPRSTWXYZ"
_SECOND = "ABCEGHJKLMNPRSTWXYZ".replace("O", "")
_NOT_ISSUED_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
_SHAPE = re.compile(r"^[A-Z]{2}\d{6}[A-D]$")


class InvalidNino(ValueError):
    """The text is not a valid NINO; the message says what is wrong, for a colleague to read."""


def normalise_nino(text: str) -> str:
    """Upper case with spaces and hyphens removed: ' zx 12-34-56 a ' -> 'ZX123456A'."""
    return re.sub(r"[\s-]", "", text or "").upper()


def validate_nino(text: str) -> str:
    """Return the normalised NINO, or raise InvalidNino saying exactly what is wrong."""
    nino = normalise_nino(text)
    if len(nino) != 9:
        raise InvalidNino(
            "A National Insurance number has 9 characters, like QQ 12 34 56 C; "
            f"this has {len(nino)}."
        )
    if not nino[:2].isalpha():
        raise InvalidNino("A National Insurance number starts with two letters.")
    if not nino[2:8].isdigit():
        raise InvalidNino("A National Insurance number has six digits after the two letters.")
    if nino[8] not in "ABCD":
        raise InvalidNino("A National Insurance number ends with A, B, C or D.")
    if nino[0] not in _FIRST:
        raise InvalidNino(f"A National Insurance number cannot start with {nino[0]}.")
    if nino[1] not in _SECOND:
        raise InvalidNino(f"The second letter of a National Insurance number cannot be {nino[1]}.")
    if nino[:2] in _NOT_ISSUED_PREFIXES:
        raise InvalidNino(f"{nino[:2]} is not an issued National Insurance number prefix.")
    assert _SHAPE.match(nino)
    return nino


def is_valid_nino(text: str) -> bool:
    try:
        validate_nino(text)
    except InvalidNino:
        return False
    return True


def format_nino(nino: str) -> str:
    """Grouped for display: 'ZX123456A' -> 'ZX 12 34 56 A'."""
    n = normalise_nino(nino)
    if len(n) != 9:
        return n
    return f"{n[:2]} {n[2:4]} {n[4:6]} {n[6:8]} {n[8]}"
