from ninja import NinjaAPI

api = NinjaAPI(title="Kring API", version="1", urls_namespace="api")
