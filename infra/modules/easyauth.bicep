// App Service authentication (Easy Auth) with Entra ID, for the web console.
// Microsoft Learn, "Configure your App Service or Azure Functions app to use
// Microsoft Entra sign-in" and the Microsoft.Web/sites/config 'authsettingsV2'
// resource reference.
//
// Sign-in is not required globally (unauthenticatedClientAction AllowAnonymous):
// registries call the webhooks and scripts call the API with function keys, and
// neither can follow a browser sign-in. The console's own function
// (shared/http/consoleSignIn.ts) sends a browser that is not signed in to
// /.auth/login/aad, and serves its page only to a request App Service marked
// with x-ms-client-principal-id. App Service strips that header from what a client
// sends, so it cannot be forged past Easy Auth.
//
// No client secret: the registration needs ID tokens enabled (implicit grant,
// "ID tokens"), with redirect URI https://<app>.azurewebsites.net/.auth/login/aad/callback.
@description('Name of the function app (Microsoft.Web/sites)')
param appName string
@description('Client id of the Entra ID app registration operators sign in with')
param clientId string
@description('Entra ID group object ids allowed to sign in; empty: any account the registration admits')
param operatorGroupIds array = []
@description('Entra ID tenant of the registration')
param tenantId string = subscription().tenantId

resource app 'Microsoft.Web/sites@2024-04-01' existing = {
  name: appName
}

resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
          clientId: clientId
        }
        validation: {
          allowedAudiences: [clientId, 'api://${clientId}']
          defaultAuthorizationPolicy: empty(operatorGroupIds) ? {} : { allowedPrincipals: { groups: operatorGroupIds } }
        }
      }
    }
    login: {
      tokenStore: { enabled: true }
      // The console's routes live in the fragment (#/deployments/...): kept across the sign-in.
      preserveUrlFragmentsForLogins: true
    }
  }
}
