from rest_framework import viewsets

from .permissions import cooperatives_visible_to
from .serializers import CooperativeSerializer


class CooperativeViewSet(viewsets.ReadOnlyModelViewSet):
    """The cooperatives the caller works for, with their certifications."""

    serializer_class = CooperativeSerializer

    def get_queryset(self):
        return cooperatives_visible_to(self.request.user).prefetch_related("certifications")
