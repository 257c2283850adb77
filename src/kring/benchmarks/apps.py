from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "kring.benchmarks"
    label = "benchmarks"
