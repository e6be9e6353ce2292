from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "comptoir.core"
    label = "core"
    verbose_name = _("Company and settings")
    sqlite_guards = "comptoir.core.triggers.install"

    def ready(self):
        from django import forms
        from django.db.models.signals import post_migrate, pre_migrate

        from comptoir.core import audit, checks, triggers
        from comptoir.core.validation import validate_day

        checks.refuse_development_key()
        post_migrate.connect(_install_roles)
        pre_migrate.connect(triggers.set_aside_before_migrate, sender=self)
        post_migrate.connect(triggers.reinstall_after_migrate, sender=self)
        audit.register_all()
        # Every date typed in a form, a model's or a filter's, is in the accepted range.
        forms.DateField.default_validators = [validate_day]


def _install_roles(sender, **kwargs):
    """After migrating, the shipped roles exist. Each app's permissions are created by its own
    post-migrate step (apps with models only): the roles are installed after the last one's."""
    from django.apps import apps

    from comptoir.core.services import install_roles

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is with_models[-1]:
        install_roles()
