"""The bundled sample district: roster and filled inspection workbooks, made by `samples/generate.py`."""
