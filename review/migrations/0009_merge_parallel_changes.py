# Three changes of the review written side by side on the same base (0005): the label of results stored as
# "average" (0006), the indicators' thresholds and the certificate's legal bases (0007), the recognition
# decisions and the level above's opinion (0008). They touch different models; this joins them.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0006_average_result_label"),
        ("review", "0007_indicator_thresholds_certificate_basis"),
        ("review", "0008_recognition_decisions_and_opinion"),
    ]
    operations = []
