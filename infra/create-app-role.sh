#!/usr/bin/env bash
# One-time step after the first `azd up` (again only if the server is recreated): creates orders_app, the role the app
# connects as, with the password azd generated (read back from the app's connection string in Key Vault). Needs az
# (logged in as the deployer, who may read the vault's secrets), azd, psql, and this machine's public IP admitted:
#   azd env set DEPLOYER_IP_ADDRESS "$(curl -s https://api.ipify.org)" && azd provision
set -euo pipefail
cd "$(dirname "$0")"
vault=$(azd env get-value AZURE_KEY_VAULT_NAME)
host=$(azd env get-value AZURE_POSTGRES_HOST)
database=$(azd env get-value AZURE_POSTGRES_DATABASE)
admin_password=$(az keyvault secret show --vault-name "$vault" --name postgres-admin-password --query value -o tsv)
app_password=$(az keyvault secret show --vault-name "$vault" --name orders-connection-string --query value -o tsv \
    | sed -n 's/.*Password=\([^;]*\).*/\1/p')
PGPASSWORD="$admin_password" psql "host=$host dbname=$database user=ordersadmin sslmode=require" \
    -v ON_ERROR_STOP=1 -v app_password="$app_password" -f app-role.sql
echo "orders_app is ready on $host/$database. Restart the function app if it started before this step."
