"""GOV.UK form rendering shared by every form: the renderer, the date inputs, the error summary."""

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import BaseRenderer, DjangoTemplates, TemplatesSetting
from django.forms.utils import pretty_name
from django.template import TemplateDoesNotExist
from django.utils import timezone


class GovukFormRenderer(TemplatesSetting):
    """Renders `{{ form }}` and `{{ field.as_field_group }}` with the GOV.UK field templates."""

    form_template_name = "forms/govuk/form.html"
    field_template_name = "forms/govuk/field.html"

    def get_template(self, template_name: str) -> Any:
        # Django's own form templates (error lists, widgets) without adding `django.forms`
        # to INSTALLED_APPS: ours come from the project's templates, the rest from Django's.
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return DjangoTemplates().get_template(template_name)


# ---------------------------------------------------------------------------------------------
# Date and date-and-time inputs: one text box per part, as the GOV.UK date input component.

DATE_PARTS: tuple[tuple[str, str, int], ...] = (
    ("day", "Day", 2),
    ("month", "Month", 2),
    ("year", "Year", 4),
)
TIME_PARTS: tuple[tuple[str, str, int], ...] = (
    ("hour", "Hour", 2),
    ("minute", "Minute", 2),
)
_ONE_OR_TWO_DIGITS = re.compile(r"[0-9]{1,2}")
_FOUR_DIGITS = re.compile(r"[0-9]{4}")


class GovukDateInput(forms.MultiWidget):
    """Day, month and year text boxes (`<name>_day`, `<name>_month`, `<name>_year`).

    A single ISO value under the field's own name (`due_on=2027-03-31`, as links and older
    clients send) is read too, so a bookmarked or scripted request keeps working.
    `stem` replaces the field's name in the boxes' names (`follow_up` for a `follow_up_date`
    field whose boxes are `follow_up_day`, ...), for a form whose names are already in use.
    """

    parts: ClassVar[tuple[tuple[str, str, int], ...]] = DATE_PARTS

    def __init__(self, attrs: dict[str, Any] | None = None, *, stem: str = "") -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            name: forms.TextInput(attrs={"inputmode": "numeric"}) for name, _, _ in self.parts
        }
        self.stem = stem
        super().__init__(widgets, attrs)

    def part_names(self, name: str) -> list[str]:
        """The name of each box for a field rendered under `name`."""
        return [f"{self.stem or name}_{part}" for part, _, _ in self.parts]

    def decompress(self, value: Any) -> list[str]:
        if isinstance(value, str) and value:
            return self._from_iso(value)
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        return ["" for _ in self.parts]

    def _from_iso(self, value: str) -> list[str]:
        try:
            return self.decompress(dt.date.fromisoformat(value.strip()))
        except ValueError:
            # Not a date at all: every part keeps the text, so it is refused as not real.
            return [value[:10] for _ in self.parts]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        parts = [data.get(part_name) for part_name in self.part_names(name)]
        if not any(parts) and data.get(name):
            return self._from_iso(str(data.get(name)))
        return [part if isinstance(part, str) else "" for part in parts]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and all(part not in data for part in self.part_names(name))


class GovukDateTimeInput(GovukDateInput):
    """Day, month and year, then hour and minute (24-hour clock): no browser picker."""

    parts: ClassVar[tuple[tuple[str, str, int], ...]] = DATE_PARTS + TIME_PARTS

    def decompress(self, value: Any) -> list[str]:
        if isinstance(value, dt.datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return [
                str(local.day),
                str(local.month),
                str(local.year),
                f"{local.hour:02d}",
                f"{local.minute:02d}",
            ]
        return super().decompress(value)

    def _from_iso(self, value: str) -> list[str]:
        try:
            return self.decompress(dt.datetime.fromisoformat(value.strip()))
        except ValueError:
            return [value[:10] for _ in self.parts]


class GovukDateBoundField(BoundField):
    """A date field's parts for the template: name, id, label, value, width and error state."""

    @property
    def parts(self) -> list[dict[str, Any]]:
        widget = self.field.widget
        value = self.value()
        values = value if isinstance(value, list) else widget.decompress(value)
        at_fault = self._parts_at_fault()
        names = widget.part_names(self.html_name)
        return [
            {
                "name": names[index],
                "id": f"{self.auto_id}_{index}",
                "label": label,
                "value": values[index] if index < len(values) else "",
                "width": width,
                "error": bool(self.errors) and (not at_fault or name in at_fault),
            }
            for index, (name, label, width) in enumerate(widget.parts)
        ]

    def _parts_at_fault(self) -> set[str]:
        """The parts an error names (a missing month); empty when the whole date is wrong."""
        if not self.errors:
            return set()
        named: set[str] = set()
        for error in self.form.errors.as_data().get(self.name, []):
            named.update((getattr(error, "params", None) or {}).get("parts", ()))
        return named


def _join_parts(names: Sequence[str]) -> str:
    """ "a month", "a day and month", "an hour and minute"."""
    joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{'an' if joined.startswith('hour') else 'a'} {joined}"


class GovukDateField(forms.Field):
    """A date from the GOV.UK date input, with the Design System's error messages.

    `subject` names the date in messages ("Due date must include a month"); it defaults to the
    label. A year must have 4 digits, so no input (99999, "abc", 31 2 2027) reaches the database.
    """

    widget = GovukDateInput
    bound_field_class = GovukDateBoundField
    example_hint = "For example, 27 3 2007"

    def __init__(self, *, subject: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", self.example_hint)
        super().__init__(**kwargs)
        self.subject = subject or str(self.label or "Date")
        defaults = {
            "required": f"Enter the {_lower_first(self.subject)}",
            "incomplete": f"{self.subject} must include %(missing)s",
            "invalid": f"{self.subject} must be a real date",
            "year_length": "Year must include 4 numbers",
        }
        for code, message in defaults.items():
            if code not in kwargs.get("error_messages", {}):
                self.error_messages[code] = message

    def prepare_value(self, value: Any) -> Any:
        return value

    @property
    def date_widget(self) -> GovukDateInput:
        return cast(GovukDateInput, self.widget)

    def _parts(self, value: Any) -> list[str]:
        count = len(self.date_widget.parts)
        if isinstance(value, (list, tuple)):
            parts = [str(part or "").strip() for part in value][:count]
            return parts + [""] * (count - len(parts))
        if isinstance(value, (dt.date, str)) and value:
            return self.date_widget.decompress(value)
        return [""] * count

    def _check_parts(self, parts: list[str]) -> None:
        names = [name for name, _, _ in self.widget.parts]
        missing = [name for name, part in zip(names, parts, strict=True) if not part]
        if missing:
            raise ValidationError(
                self.error_messages["incomplete"],
                code="incomplete",
                params={"missing": _join_parts(missing), "parts": missing},
            )
        day, month, year = parts[:3]
        if not (_ONE_OR_TWO_DIGITS.fullmatch(day) and _ONE_OR_TWO_DIGITS.fullmatch(month)):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not _FOUR_DIGITS.fullmatch(year):
            if year.isascii() and year.isdigit():
                raise ValidationError(
                    self.error_messages["year_length"],
                    code="year_length",
                    params={"parts": ["year"]},
                )
            raise ValidationError(self.error_messages["invalid"], code="invalid")

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        parts = self._parts(value)
        if not any(parts):
            return None
        self._check_parts(parts)
        try:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != self.to_python(initial)
        except ValidationError:
            return True


class GovukDateTimeField(GovukDateField):
    """A moment from day, month, year, hour and minute, read in the service's time zone."""

    widget = GovukDateTimeInput
    example_hint = "For example, 27 3 2026, then the time as 14 30 (24-hour clock)"

    def __init__(self, *, subject: str | None = None, **kwargs: Any) -> None:
        super().__init__(subject=subject, **kwargs)
        if "invalid" not in kwargs.get("error_messages", {}):
            self.error_messages["invalid"] = f"{self.subject} must be a real date and time"

    def to_python(self, value: Any) -> dt.datetime | None:
        if isinstance(value, dt.datetime):
            return value
        parts = self._parts(value)
        if not any(parts):
            return None
        self._check_parts(parts)
        hour, minute = parts[3:5]
        if not (_ONE_OR_TWO_DIGITS.fullmatch(hour) and _ONE_OR_TWO_DIGITS.fullmatch(minute)):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return dt.datetime(
                int(parts[2]),
                int(parts[1]),
                int(parts[0]),
                int(hour),
                int(minute),
                tzinfo=timezone.get_current_timezone(),
            )
        except ValueError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


# ---------------------------------------------------------------------------------------------
# Forms: the renderer, messages that name what is missing, and the error summary's links.

_CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.Select)
_DJANGO_REQUIRED = str(forms.Field.default_error_messages["required"])


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) == 1 else text


class GovukFormMixin:
    """Mix into a Form: GOV.UK field templates, specific "required" messages, summary links.

    A field left with Django's "This field is required." gets "Enter <label>" (or "Select
    <label>" for a choice), so the error summary names what is missing. `error_targets` maps a
    field name to the id its summary link points at, for a page that lays out its own inputs.
    """

    default_renderer: BaseRenderer | type[BaseRenderer] | None = GovukFormRenderer
    error_targets: ClassVar[Mapping[str, str]] = {}

    fields: dict[str, forms.Field]
    errors: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if str(field.error_messages.get("required", "")) == _DJANGO_REQUIRED:
                label = str(field.label or pretty_name(name))
                verb = "Select" if isinstance(field.widget, _CHOICE_WIDGETS) else "Enter"
                field.error_messages["required"] = f"{verb} {_lower_first(label)}"

    def error_target(self, bound_field: BoundField, error: ValidationError | None = None) -> str:
        """The id a summary link for this field's error points at: a real element."""
        if bound_field.name in self.error_targets:
            return self.error_targets[bound_field.name]
        widget = bound_field.field.widget
        if isinstance(widget, GovukDateInput):
            names = [name for name, _, _ in widget.parts]
            at_fault = (getattr(error, "params", None) or {}).get("parts") or [names[0]]
            return f"{bound_field.auto_id}_{names.index(at_fault[0])}"
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            return f"{bound_field.auto_id}_0"
        return bound_field.id_for_label or bound_field.auto_id or ""

    @property
    def error_summary(self) -> list[tuple[str, str]]:
        """(target id, message) for each error, in the order of the fields on the page."""
        bound = [field for field in self if not field.is_hidden]  # type: ignore[attr-defined]
        first = self.error_target(bound[0]) if bound else ""
        items = [(first, str(message)) for message in self.non_field_errors()]  # type: ignore[attr-defined]
        errors = self.errors.as_data()
        for field in self:  # type: ignore[attr-defined]
            for error in errors.get(field.name, []):
                for message in error.messages:
                    items.append((self.error_target(field, error), str(message)))
        return items


class GovukForm(GovukFormMixin, forms.Form):
    """A form rendered with the GOV.UK field templates."""
