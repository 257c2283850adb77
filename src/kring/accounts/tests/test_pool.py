from kring.testing import factories as f


def test_the_pool_shows_coordinators_of_the_managers_regions_with_their_load(world, as_user):
    limburg = f.CoordinatorFactory(profile__regions=[f.region("limburg")])
    f.CaseFactory(coordinator=world.coordinator, family=False)
    html = as_user(world.manager).get("/coordinators/").content.decode()
    assert world.coordinator.display_name in html
    assert "1 / 3" in html
    assert limburg.display_name not in html
