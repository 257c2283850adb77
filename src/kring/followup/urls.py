from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:case_id>/followup/", views.followup_case, name="followup_case"),
    path("cases/<int:case_id>/followup/schedule/", views.followup_schedule, name="followup_schedule"),
    path("cases/<int:case_id>/followup/reconvene/", views.followup_reconvene, name="followup_reconvene"),
    path("cases/<int:case_id>/followup/evaluation/", views.followup_evaluation, name="followup_evaluation"),
    path("cases/<int:case_id>/followup/outcomes/<int:months>/", views.followup_outcome, name="followup_outcome"),
    path("cases/<int:case_id>/plan/versions/", views.plan_versions, name="plan_versions"),
    path("followup/tasks/", views.followup_tasks, name="followup_tasks"),
    path("followup/tasks/done/", views.followup_task_done, name="followup_task_done"),
    path("followup/failures/", views.followup_failures, name="followup_failures"),
    path("followup/failures/retry/", views.followup_failure_retry, name="followup_failure_retry"),
    path("followup/c/<str:token>/", views.check_in, name="check_in"),
    path("followup/r/<str:token>/", views.reconvene_answer, name="reconvene_answer"),
]
