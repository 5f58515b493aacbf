"""URL normalisation: what a user may paste, and what is refused with which reason."""

from __future__ import annotations

import pytest

from custom_components.immich_jobs.immich import ImmichError, InvalidUrl, normalize_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://immich.local:2283", "http://immich.local:2283"),
        ("http://immich.local:2283/", "http://immich.local:2283"),
        ("http://immich.local:2283/api", "http://immich.local:2283"),
        ("http://immich.local:2283/api/", "http://immich.local:2283"),
        ("  https://photos.example.com/api  ", "https://photos.example.com"),
        ("HTTPS://Photos.Example.COM", "https://photos.example.com"),
        ("http://192.168.1.20:2283", "http://192.168.1.20:2283"),
        ("http://[::1]:2283/api", "http://[::1]:2283"),
        ("https://bücher.example/", "https://xn--bcher-kva.example"),
        ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
    ],
)
def test_accepted(url: str, expected: str) -> None:
    """Base URLs with or without a trailing / or /api give the base without /api."""
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://immich.local", "invalid_scheme"),
        ("immich.local:2283", "invalid_scheme"),
        ("192.168.1.20:2283", "invalid_scheme"),
        ("//immich.local", "invalid_scheme"),
        ("http:/immich.local", "invalid_scheme"),
        ("javascript:alert(1)", "invalid_scheme"),
        ("http://", "missing_host"),
        ("http:///api", "missing_host"),
        ("http://:2283", "missing_host"),
        ("http://user:pass@immich.local", "credentials_in_url"),
        ("http://user@immich.local", "credentials_in_url"),
        ("http://@immich.local", "credentials_in_url"),
        ("http://immich.local/?x=1", "invalid_url"),
        ("http://immich.local/api?", "invalid_url"),
        ("http://immich.local#top", "invalid_url"),
        ("http://immich.local/photos", "invalid_url"),
        ("http://immich.local/api/jobs", "invalid_url"),
        ("http://immich.local/API", "invalid_url"),
        ("http://immich.local:99999", "invalid_url"),
        ("http://immich.local:0", "invalid_url"),
        ("http://immich.local:port", "invalid_url"),
        ("http://[::1", "invalid_url"),
        ("http://immich local", "invalid_url"),
        ("http://immich\x00.local", "invalid_url"),
        ("", "invalid_url"),
        ("   ", "invalid_url"),
        ("http://" + "a" * 5000 + ".com", "invalid_url"),
        ("http://" + "ü" * 300, "invalid_url"),
        ("http://" + "ü" * 2000, "invalid_url"),
    ],
)
def test_refused(url: str, reason: str) -> None:
    """Everything else is refused with a reason a config flow can translate."""
    with pytest.raises(InvalidUrl) as err:
        normalize_url(url)
    assert err.value.reason == reason
    assert reason in InvalidUrl.REASONS
    assert isinstance(err.value, ImmichError)


def test_reason_keys_are_stable() -> None:
    """The config flow maps exactly these keys."""
    assert set(InvalidUrl.REASONS) == {
        "invalid_url",
        "invalid_scheme",
        "missing_host",
        "credentials_in_url",
    }
