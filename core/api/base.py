"""Shared API machinery: permissions, the scoped viewset, model-validated serializers, natural-key fields."""
from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from rest_framework import permissions, serializers, viewsets

from core.api.errors import django_errors_to_drf

WRITE_ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


class EditorOrReadOnly(permissions.BasePermission):
    """Everyone signed in reads (through the scoping door); a write needs the model permission its role
    grants (accounts/roles.py): leaders hold only "view", reference data is "view" for officers.

    A view names what it writes with `write_permissions` (e.g. the review round actions), else the
    add/change/delete permission of its queryset's model is asked for.
    """

    message = "Tài khoản của bạn không được thay đổi dữ liệu này."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        required = getattr(view, "write_permissions", None)
        if required is None:
            meta = view.queryset.model._meta
            required = [f"{meta.app_label}.{WRITE_ACTIONS.get(request.method, 'change')}_{meta.model_name}"]
        return user.has_perms(required)


class ChangesCarryVersion:
    """A change (PUT/PATCH) names the version of the record it was made on: 400 without it, so no write lands
    on a stale read unnoticed; a stale version is refused with 409 by the model's optimistic lock."""

    version_required = ("Hãy gửi kèm trường version (phiên bản của bản ghi bạn đã đọc) khi sửa, "
                        "để không ghi đè thay đổi của người khác.")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None and attrs.get("version") is None:
            raise serializers.ValidationError({"version": [self.version_required]})
        return attrs


class ScopedViewSet(viewsets.ModelViewSet):
    """Reads through `visible_to(user)`; writes validated by the model and saved in one transaction."""

    permission_classes = [EditorOrReadOnly]
    select_related = ()
    prefetch_related = ()

    def get_queryset(self):
        queryset = self.queryset.model.objects.all()
        if hasattr(queryset, "visible_to"):  # the scoping door
            queryset = queryset.visible_to(self.request.user)
        return queryset.select_related(*self.select_related).prefetch_related(*self.prefetch_related)

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()


class WritesWhatItShows:
    """A request names only fields this serializer writes; anything else is a 400 naming it, never dropped.

    A field that is only read (an id, a count) may come back with the value it has (GET, edit, PUT the
    same body); a different value, or a name the serializer does not know, is refused.
    """

    not_fields = {"csrfmiddlewaretoken"}  # sent by the browsable API's HTML forms

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for name, value in data.items():
                if name in self.not_fields:
                    continue
                field = self.fields.get(name)
                if field is None:
                    errors[name] = ["Không có trường này."]
                elif field.read_only and not self._unchanged(field, value):
                    errors[name] = ["Trường này chỉ để đọc, không ghi được."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def _unchanged(self, field, value):
        if self.instance is None or isinstance(self.instance, list):
            return False
        try:
            return field.to_representation(field.get_attribute(self.instance)) == value
        except (AttributeError, KeyError, TypeError, ValueError):
            return False


class ModelCleanSerializer(serializers.ModelSerializer):
    """Runs the model's own validation (clean + constraints) so API and admin refuse the same things."""

    def _full_clean(self, instance):
        try:
            instance.full_clean(exclude=[f for f in ("version",) if hasattr(instance, f)])
        except DjangoValidationError as error:
            raise django_errors_to_drf(error) from error

    def create(self, validated_data):
        many = {k: validated_data.pop(k) for k in list(validated_data) if self._is_many(k)}
        instance = self.Meta.model(**validated_data)
        self._full_clean(instance)
        instance.save()
        for key, value in many.items():
            getattr(instance, key).set(value)
        return instance

    def update(self, instance, validated_data):
        many = {k: validated_data.pop(k) for k in list(validated_data) if self._is_many(k)}
        for key, value in validated_data.items():
            setattr(instance, key, value)
        self._full_clean(instance)
        instance.save()
        for key, value in many.items():
            getattr(instance, key).set(value)
        return instance

    def _is_many(self, name):
        field = self.fields.get(name)
        return isinstance(field, serializers.ManyRelatedField)

    def build_standard_field(self, field_name, model_field):
        """A limit the model names in its own words (a maximum of money) answers with those words."""
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        for validator in model_field.validators:
            for key, kind in (("max_value", MaxValueValidator), ("min_value", MinValueValidator)):
                if (isinstance(validator, kind) and kwargs.get(key) == validator.limit_value
                        and validator.message != kind.message):
                    kwargs.setdefault("error_messages", {})[key] = validator.message
        return field_class, kwargs


class ScopedSlugField(serializers.SlugRelatedField):
    """A natural-key foreign key whose choices are what the user may see (others: "does not exist")."""

    default_error_messages = {
        "does_not_exist": "Không có {slug_name}={value} trong địa bàn của bạn.",
        "invalid": "Giá trị không hợp lệ.",
    }

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is not None and hasattr(queryset, "visible_to"):  # every scoped model, areas included
            return queryset.visible_to(request.user)
        return queryset
