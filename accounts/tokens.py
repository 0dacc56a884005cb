"""API tokens end when the password changes, and when the account is deactivated.

Signals on the user model, not code in each password form: the admin's password forms (own and another
user's), officer_save (create_officer, seed_demo), `manage.py changepassword`, a password reset and any
`set_password()` / `set_unusable_password()` / hash assignment followed by save() all end in User.save(),
so this one place catches them all. Sessions need nothing: Django already drops a session whose password
hash changed (AuthenticationMiddleware verifies the session's auth hash).

The stored hash is compared with the new one, except when Django only re-hashes the same password at
login (a newer hasher or more iterations: check_password's setter) — that is no password change, and the
client logging in with its token-holding siblings must not lose them on every Django upgrade.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher, identify_hasher
from rest_framework.authtoken.models import Token


def _is_hash_upgrade(user, old_hash, update_fields):
    """check_password() re-hashing a correct password: set_password(), then `_password = None` (Django's own
    marker that this is no password change), then save(update_fields=["password"])."""
    if getattr(user, "_password", None) is not None or set(update_fields or ()) != {"password"}:
        return False
    try:
        old_hasher = identify_hasher(old_hash)
    except ValueError:
        return False
    preferred = get_hasher()
    return old_hasher.algorithm != preferred.algorithm or preferred.must_update(old_hash)


def note_password_change(sender, instance, raw=False, update_fields=None, **kwargs):
    """pre_save: remember on the instance whether this save changes the stored password hash."""
    instance._rotate_api_tokens = False
    watched = {"password", "is_active"}
    if raw or instance.pk is None or (update_fields is not None and not watched & set(update_fields)):
        return
    stored = sender._base_manager.using(kwargs.get("using")).filter(pk=instance.pk).values_list(
        "password", "is_active").first()
    if stored is None:
        return
    old_hash, was_active = stored
    # A deactivated account's token must not come back to life if the account is activated again later.
    deactivated = was_active and not instance.is_active
    changed_password = old_hash != instance.password and not _is_hash_upgrade(instance, old_hash, update_fields)
    instance._rotate_api_tokens = deactivated or changed_password


def rotate_api_tokens(sender, instance, created=False, raw=False, **kwargs):
    """post_save: delete the user's API token when the password changed; the client asks for a new one."""
    if getattr(instance, "_rotate_api_tokens", False):
        instance._rotate_api_tokens = False
        Token.objects.using(kwargs.get("using")).filter(user=instance).delete()


def connect():
    from django.db.models.signals import post_save, pre_save

    user_model = get_user_model()
    pre_save.connect(note_password_change, sender=user_model, dispatch_uid="accounts.note_password_change")
    post_save.connect(rotate_api_tokens, sender=user_model, dispatch_uid="accounts.rotate_api_tokens")
