"""Layer 2: what the notebooks share, in Chinese or English.

``style`` (house style, the bundled font, saving charts), ``charts`` (bars of
report figures and counts, showing a chart with its alt text), ``formatting``
(values and words in each language) and ``sections`` (the tables and
paragraphs every indicator notebook shares). Each imports only the data core.
"""
