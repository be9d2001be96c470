"""core.serializers.BuiltFieldsModelSerializer: the model mapping is built once per class, and every
instance still gets fields of its own, bound to it."""

from tickets.apis import TicketSerializer


def test_each_instance_gets_its_own_bound_fields_from_the_one_mapping():
    first, second = TicketSerializer(), TicketSerializer()
    assert "_built_fields" in TicketSerializer.__dict__
    assert list(first.fields) == list(second.fields) == TicketSerializer.Meta.fields
    for name in ("title", "reported_at", "requester", "sla"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
    first.fields["title"].label = "changed"
    assert second.fields["title"].label != "changed"
    assert TicketSerializer().fields["title"].label != "changed"
