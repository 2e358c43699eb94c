"""The Todo app: ``cdk8s synth`` (or ``make synth``) writes its manifests to ``dist/``."""

import cdk8s

from constructs_lib import add_todo_charts

app = cdk8s.App(yaml_output_type=cdk8s.YamlOutputType.FILE_PER_CHART)
add_todo_charts(app)
app.synth()
