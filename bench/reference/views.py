"""Reference views for `bench/floor.py`: what the stack itself costs before an endpoint does any work.

Each adds one layer to the one before; none is mounted outside the floor benchmark's URLconf.
"""

from django.db import connection, transaction
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.models import OrderNumber


class DrfNoop(APIView):
    """A DRF POST that parses its JSON body and answers 201: no authentication, no database."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request):
        request.data  # noqa: B018 (the parse is the point)
        return Response({"ok": True}, status=201)


class DrfAuthenticated(APIView):
    """The same behind our Bearer authentication (JWT validated, user row loaded): a customer's request."""

    permission_classes = [IsAuthenticated]

    def post(self, request):
        request.data  # noqa: B018
        return Response({"ok": True}, status=201)


class DrfAuthenticatedTransaction(DrfAuthenticated):
    """Plus one transaction running `SELECT 1`: an authenticated write that writes nothing."""

    def post(self, request):
        request.data  # noqa: B018
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Response({"ok": True}, status=201)


class DrfInsert(DrfNoop):
    """No authentication, one transaction inserting one row: what recording a webhook delivery costs at least."""

    def post(self, request):
        request.data  # noqa: B018
        with transaction.atomic():
            OrderNumber.objects.create()
        return Response({"ok": True}, status=201)
