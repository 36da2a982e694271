from ninja import NinjaAPI

api = NinjaAPI(title="Steward API", version="1")
