from django.conf import settings


def kring(request):
    return {"KRING_DEMO": settings.DEMO}
