"""Sign-in form with GOV.UK-style error messages, rendered with the GOV.UK field templates."""

from typing import Any

from django.contrib.auth.forms import AuthenticationForm

from core.forms import GovukFormMixin


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is disabled. Ask your team leader or an admin.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        for field in self.fields.values():
            field.widget.attrs.update(spellcheck="false", **{"class": "govuk-!-width-two-thirds"})
