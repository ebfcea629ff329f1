#!/bin/sh
# Nightly backup of the filestore to S3.
set -eu
export AWS_ACCESS_KEY_ID=AKIAI7RTHPK34IRMBBDT
export AWS_SECRET_ACCESS_KEY="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"
aws s3 sync /var/lib/odoo/filestore s3://odoo-backups/filestore
