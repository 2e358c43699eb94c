"""The canonical form of the config checksum, which the Helm charts reproduce with toJson."""

from __future__ import annotations

import hashlib

from constructs_lib import canonical_config_json, config_checksum


def test_canonical_form_sorts_keys_and_has_no_whitespace() -> None:
    assert canonical_config_json({"b": "2", "a": "1 2"}) == '{"a":"1 2","b":"2"}'


def test_canonical_form_escapes_html_characters_as_go_does() -> None:
    assert canonical_config_json({"Q": "a<b>&c"}) == '{"Q":"a\\u003cb\\u003e\\u0026c"}'


def test_canonical_form_keeps_non_ascii_characters_as_utf8() -> None:
    assert canonical_config_json({"GREETING": "héllo"}) == '{"GREETING":"héllo"}'


def test_checksum_is_sha256_hex_of_the_canonical_form() -> None:
    data = {"JWT_ALGORITHM": "HS256"}
    expected = hashlib.sha256(b'{"JWT_ALGORITHM":"HS256"}').hexdigest()
    assert config_checksum(data) == expected
