import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from waystation.members.models import Member
from waystation.members.tests.factories import make_member
from waystation.privacy import crypto
from waystation.privacy.masking import mask_bank_card, mask_id_number, mask_phone

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()
# HMAC-SHA256 of 13812345678 under the keys "test-hash-key" and "another-key"
HASH = "f78aff30953fbdb132433aa2b24966b37ba1e5fedcbfeacce4e1de2d90cf9b35"
HASH_UNDER_ANOTHER_KEY = "5f8a9a2152bc9de6a5fb46fc135234b47f58c34fb49021295751e01f2a3b4b0c"


def test_masks_keep_only_what_does_not_identify():
    assert mask_id_number("32040219900101123X") == "320***********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_bank_card("6222 0212 3456 7890 123") == "6222***********0123"


def test_ciphertexts_differ_for_the_same_value_but_hashes_match(settings):
    settings.PII_KEYS = [OLD]
    a, b = crypto.encrypt("13812345678"), crypto.encrypt("13812345678")
    assert a != b and crypto.decrypt(a) == crypto.decrypt(b) == "13812345678"
    assert "13812345678" not in a
    settings.PII_HASH_KEY = "test-hash-key"
    assert crypto.keyed_hash("13812345678") == crypto.keyed_hash("13812345678") == HASH
    settings.PII_HASH_KEY = "another-key"
    assert crypto.keyed_hash("13812345678") == HASH_UNDER_ANOTHER_KEY


def test_key_rotation_reencrypts_everything_under_the_new_key(settings, orgs):
    settings.PII_KEYS = [OLD]
    m = make_member(id_number="11010519491231002X", phone="13812345678")
    settings.PII_KEYS = [NEW, OLD]  # new key first, old still decrypts
    assert Member.objects.get(pk=m.pk).id_number == "11010519491231002X"
    out = io.StringIO()
    call_command("rotate_pii_keys", stdout=out)
    assert "members.Member: 1 rows re-encrypted" in out.getvalue()
    settings.PII_KEYS = [NEW]  # the old key is gone
    m = Member.objects.get(pk=m.pk)
    assert m.id_number == "11010519491231002X" and m.phone == "13812345678"


def test_a_value_under_a_removed_key_fails_loudly(settings):
    settings.PII_KEYS = [OLD]
    token = crypto.encrypt("x")
    settings.PII_KEYS = [NEW]
    with pytest.raises(ValueError, match="无法解密"):
        crypto.decrypt(token)
