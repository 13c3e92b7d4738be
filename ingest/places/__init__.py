"""The basin's places: the gazetteer, its geography (core points, boxes, countries), range boxes, provinces."""
