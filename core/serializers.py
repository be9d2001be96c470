"""Serializer helpers shared by the apps' APIs."""

import copy

from rest_framework import serializers

from .limits import REASON_MAX_LENGTH


class BuiltFieldsMixin:
    """Build a ModelSerializer's fields from the model once per class, not once per instance.

    ModelSerializer.get_fields() maps every model field to a serializer field on each instantiation
    (45 fields of a ticket: ~1.5 ms, more than writing the ticket out). The mapping depends only on the
    class, so the first instance keeps it and later ones get a deep copy, which is what DRF itself does
    with declared fields.

    For output-only serializers whose fields do not depend on the instance, the context or the language:
    a deep copy shares the fields' validators, and a writable field's validators (a uniqueness check's
    message, translated when first used) would be shared by every later instance."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            cls._built_fields = built
        return copy.deepcopy(built)


class BuiltFieldsModelSerializer(BuiltFieldsMixin, serializers.ModelSerializer):
    pass


class UserBrief(serializers.Serializer):
    """A person named inside another object (requester, author, decider): id and display name."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


# The input of deciding a consent request (an exclusion, an accepted risk: core.models.ConsentRequest's
# decision_note holds as much) and of moving a finding.
class NoteInput(serializers.Serializer):
    """An optional note."""

    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH)
