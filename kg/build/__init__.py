"""The build: records -> species layer -> calibration -> PROV/VoID -> SHACL -> a new store (pipeline.py)."""
