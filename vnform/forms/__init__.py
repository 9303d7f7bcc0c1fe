"""Forms: from a YAML file to the frozen spec the app serves.

Data flows one way: the file's text and where each value stands
(:mod:`~vnform.forms.positions`), its shape (:mod:`~vnform.forms.schema`) and meaning
(:mod:`~vnform.forms.checks`, conditions in :mod:`~vnform.forms.expressions`), the spec
(:mod:`~vnform.forms.building`, :mod:`~vnform.forms.spec`), all of it run by
:mod:`~vnform.forms.loader`; a deployment's forms are a :mod:`~vnform.forms.registry`.
Nothing here knows of Starlette or the database.
"""
