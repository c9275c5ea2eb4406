import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lookalike_site.settings")

app = Celery("lookalike")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
