"""The edge that runs the main job: judge evidence, measure, build, write and store assessments."""
