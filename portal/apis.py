from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from portal.api.schema import ERRORS
from portal.models import Membership
from portal.selectors import membership_list


class OrganisationOutput(serializers.Serializer):
    id = serializers.IntegerField(source="organisation_id")
    name = serializers.CharField(source="organisation.name")
    role = serializers.CharField()


@extend_schema(responses={200: OrganisationOutput(many=True), **ERRORS})
class OrganisationListApi(generics.ListAPIView):
    """The organisations the caller belongs to, with the caller's role in each."""

    serializer_class = OrganisationOutput
    ordering_fields = ["organisation__name"]
    filterset_fields = ["role"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return membership_list(user=self.request.user)
