import pytest

from tests.factories import make_user


@pytest.fixture
def network(app):
    """A small network spread over regions and tags, one of them suspended."""
    return {
        "helene": make_user(name="Hélène Garnier", organisation="Fondation Terres d'Avenir",
                            region="ARA", catalyst_profile="economique", trade=["accompagnement"],
                            domain=["pauvrete", "logement"], sdg=["1", "17"]),
        "mehdi": make_user(name="Mehdi Benali", organisation="Tiers-lieu La Fabrique",
                           region="HDF", catalyst_profile="associatif", trade=["lieu", "dialogue"],
                           domain=["numerique"], sdg=["4"]),
        "yannick": make_user(name="Yannick Le Goff", organisation="Pays de Morlaix",
                             region="BRE", catalyst_profile="public", trade=["dialogue"],
                             domain=["environnement"], sdg=["13", "14"]),
        "ines": make_user(name="Inès Mercier", organisation="Énergies citoyennes",
                          region="ARA", catalyst_profile="associatif", trade=["experimentation"],
                          domain=["environnement"], sdg=["7", "13"]),
        "herve": make_user(name="Hervé Suspendu", organisation="Tiers-lieu La Fabrique",
                           region="ARA", catalyst_profile="associatif", trade=["lieu"],
                           domain=["numerique"], sdg=["4"], status="suspended"),
    }
