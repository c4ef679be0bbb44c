"""A payment's household needs no index of its own: `payment_once_per_decision` begins with it.

After 0004 on purpose: on PostgreSQL the household's foreign key is gone by then, so this change drops
the index alone. Before it, Django would drop the foreign key and add it back, checking every payment.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0004_payment_references_per_statement"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="payment",
            name="household",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.household",
            ),
        ),
    ]
